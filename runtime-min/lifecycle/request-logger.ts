/**
 * request.log: Fastify makes a child logger per request, yet most requests log nothing. The child
 * of the service's logger is made on the first call that would write a line, so a quiet request
 * costs one small object.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Logger } from 'pino'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1]

class RequestLogger {
  private made: FastifyBaseLogger | undefined
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}
  get level(): string {
    return (this.made ?? this.parent).level
  }
  set level(level: string) {
    this.real().level = level
  }
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.real().child(bindings, options)
  }
  real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options as never))
  }
  enabled(level: Level): boolean {
    return this.made !== undefined || this.parent.isLevelEnabled(level)
  }
}

for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
  Object.defineProperty(RequestLogger.prototype, level, {
    value(this: RequestLogger, ...args: unknown[]) {
      if (this.enabled(level)) (this.real()[level] as (...a: unknown[]) => void)(...args)
    },
  })
}

/** Fastify has no logger of its own (index.ts): request loggers are children of the service's. */
export function useLazyRequestLoggers(app: FastifyInstance, log: Logger): void {
  app.setChildLoggerFactory((_silent, bindings, options) => new RequestLogger(log, bindings, options) as unknown as FastifyBaseLogger)
}
