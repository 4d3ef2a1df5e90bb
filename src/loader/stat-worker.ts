/**
 * The worker thread of {@link startStatInParallel}: stats the chunks of files it takes into shared memory. A file of
 * its own, so that it starts without the YAML parsers the loader's worker loads: stat is quick, and a worker
 * that takes longer to start than the calling thread takes to stat everything does nothing.
 */
import { workerData } from 'worker_threads';
import { statAsGit } from './git-index';
import { workerLoop } from './parallel';

const never = (): never => {
  throw new Error('the stat worker only stats');
};
workerLoop(workerData, never, never, never, statAsGit);
