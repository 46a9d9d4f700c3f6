// @lab/core/node: file-system helpers (Node only).
export { DownloadError, type DownloadOptions, downloadFile } from './download.js';
export { loadCheckpointFile, loadMnistSplit, saveCheckpointFile, writeFileAtomic } from './files.js';
