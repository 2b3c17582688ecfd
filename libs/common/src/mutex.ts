import { Mutex } from 'async-mutex';

/**
 * The project's one mutual-exclusion helper (async-mutex underneath): tasks run one at a
 * time in arrival order, and a failing task releases the lock like a succeeding one.
 */
export class Serializer {
  private readonly mutex = new Mutex();

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(task);
  }

  get busy(): boolean {
    return this.mutex.isLocked();
  }
}
