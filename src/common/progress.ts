/** Where progress is written: the command-line tool passes `process.stderr`. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 30;
/** Without a terminal, a plain line at most every this many percent (and at the end). */
const PLAIN_STEP_PERCENT = 10;

/**
 * Progress of long command-line work. On a terminal: one bar redrawn in
 * place (`[#######-------]  45%  4 500/10 000 rows  1 234 rows/s`). Otherwise
 * (a pipe, a log file, a test): one plain line each time another 10 % is
 * done, so that a log shows the work advancing without a line per row.
 */
export class Progress {
  private readonly started = Date.now();
  private lastPlainStep = -1;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly total: number,
    private readonly unit = 'rows',
  ) {}

  update(done: number): void {
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const percent = Math.floor(ratio * 100);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const counts = `${formatCount(done)}/${formatCount(this.total)} ${this.unit}${rate > 0 ? `  ${formatCount(rate)} ${this.unit}/s` : ''}`;
    if (this.out.isTTY) {
      const filled = Math.round(ratio * BAR_WIDTH);
      const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%  ${counts}`;
      this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const step = Math.floor(percent / PLAIN_STEP_PERCENT);
    if (step > this.lastPlainStep) {
      this.lastPlainStep = step;
      this.out.write(`${this.label}: ${percent}% (${counts})\n`);
    }
  }

  /** Ends the bar's line on a terminal, so that what follows starts on its own line. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

/** 12345 -> "12 345" (thin grouping that reads the same in English and Spanish). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
