export { labGradients, labKernels, type RegistrationReport, registerLab } from './register.js';
export {
  type BackendReport,
  type InitBackendOptions,
  initBackend,
  type WasmFileName,
} from './runtime/init.js';
