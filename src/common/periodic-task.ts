import type { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * A background loop: runs `round` now, then `intervalMs` after each round
 * ends (never two rounds at once in one process). `stop()` waits for the
 * round in flight, so shutdown never cuts a transaction in half. The timer
 * is unref'd: it never keeps a process alive on its own.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private halted = false;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly round: () => Promise<unknown>,
  ) {}

  /** True once stop() was called: long rounds check it between units of work. */
  get stopped(): boolean {
    return this.halted;
  }

  /**
   * Runs `one` in `lanes` parallel loops, each until `one` answers false
   * (nothing left) or the task stops; returns how many times it answered
   * true. The delivery workers' round: each unit its own transaction.
   */
  async inLanes(lanes: number, one: () => Promise<boolean>): Promise<number> {
    let done = 0;
    const lane = async () => {
      while (!this.halted && (await one())) done++;
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    return done;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delay: number): void {
    if (this.halted) return;
    this.timer = setTimeout(() => {
      this.running = this.round().catch((err: unknown) => this.logger.error({ err }, 'background round failed'));
      void this.running.then(() => this.schedule(this.intervalMs));
    }, delay);
    this.timer.unref();
  }
}

/**
 * A background job of the processes that run the outbox worker
 * (`OUTBOX_WORKER`: the API processes by default, and `npm run worker`):
 * its PeriodicTask starts with the application when `enabled`, and its round
 * in flight is finished, not cut, at shutdown. The e-mail, webhook and text
 * workers and the reminders job are such jobs.
 */
export abstract class WorkerJob implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly task: PeriodicTask;

  protected constructor(
    protected readonly logger: Logger,
    private readonly enabled: boolean,
    intervalMs: number,
  ) {
    this.task = new PeriodicTask(logger, intervalMs, () => this.round());
  }

  /** One round of the job. */
  protected abstract round(): Promise<unknown>;

  onApplicationBootstrap(): void {
    if (this.enabled) this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
