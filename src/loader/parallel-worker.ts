/**
 * The worker thread of {@link loadInParallel}: reads and parses the chunks of files it takes, with the very
 * function the calling thread uses.
 */
import { workerData } from 'worker_threads';
import { hashFile, loadFile, loadFileHashed } from './load';
import { workerLoop } from './parallel';

workerLoop(workerData, loadFile, hashFile, loadFileHashed);
