// The random-shift augmentation lives in @lab/core (data/shift.ts), shared with @lab/compress's
// jittered teacher; re-exported here so finetune's callers keep their import.
export { type Augmentation, type RandomShiftOptions, randomShift, type Shift, shiftImages } from '@lab/core';
