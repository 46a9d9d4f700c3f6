export { type BackendReport, type InitBackendOptions, initBackend, type WasmFileName } from './runtime/init.js';
export { labGradients, labKernels, type RegistrationReport, registerLab } from './register.js';
