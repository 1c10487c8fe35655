/**
 * How the web app moves file bodies over SMB: 3 requests of ~2 MiB in flight each way, i.e. 4 buffers of 2 MiB
 * per transfer (window + 1). The SMB client's defaults (4 MiB, and 8 in flight for WRITEs) suit the command
 * line; behind HTTP the client's own speed is the limit, and smaller buffers measured the same (512 MiB through
 * the app, 5 alternating rounds: download 940 MiB/s at 4 × 4 MiB, 952 at 4 × 2 MiB, 991 at 8 × 1 MiB) with a
 * lower peak RSS (108 → 96 MB). Many transfers at once are what the buffers cost: 20 concurrent downloads or
 * uploads (`npm run bench -- cost`) added 10.9–11.2 MB of RSS each at 4 in flight, 8.4–8.7 MB at 3 (the
 * issue's bound is 10 MB), with the app's CPU per GiB unchanged within the noise of a shared machine.
 * Both directions use buffers of exactly 2 MiB (a READ's buffer also holds its response header), so the
 * SMB client's buffer pool keeps one set for both.
 */
import { READ_FRAME_OVERHEAD } from '../smb/index.js';

const BUFFER_BYTES = 2 << 20;
const IN_FLIGHT = 3;

export const DOWNLOAD_WINDOW = { chunkSize: BUFFER_BYTES - READ_FRAME_OVERHEAD, window: IN_FLIGHT } as const;
export const UPLOAD_WINDOW = { chunkSize: BUFFER_BYTES, window: IN_FLIGHT } as const;
