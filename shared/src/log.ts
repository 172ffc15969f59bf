export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** The one logger shape of every package: a level, a human sentence, and optional structured fields. */
export type Logger = (level: LogLevel, message: string, fields?: LogFields) => void;

/** One JSON object per line on stderr, which Fly's log shipping keeps as is (the collector). */
export const jsonLogger: Logger = (level, message, fields) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
};

/** `<prefix>: <message>` lines on stderr, fields appended as JSON (the probe, read by operators in `fly logs`). */
export function lineLogger(prefix: string, write: (line: string) => void = stderrLine): Logger {
  return (_level, message, fields) =>
    write(
      `${prefix}: ${message}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`,
    );
}

export const silentLogger: Logger = () => undefined;

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
