// @lab/core/node: file-system helpers (Node only).
export { DownloadError, type DownloadOptions, downloadFile } from './download.js';
export {
  type FileCheckpointTargets,
  fileCheckpointer,
  loadCheckpointFile,
  loadMnistSplit,
  saveCheckpointFile,
  writeFileAtomic,
} from './files.js';
export {
  FILE_LIMITS,
  FileTooLargeError,
  type ReadLimitedOptions,
  readFileLimited,
  readStreamLimited,
} from './read-limited.js';
