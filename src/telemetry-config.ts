/**
 * The process-wide OpenTelemetry switch. Kept apart from telemetry.ts so the public type declarations never
 * mention `@opentelemetry/api` types: a project without that optional package must still compile against rqts.
 */

/** Global switches; see {@link configureTelemetry}. */
export interface TelemetrySettings {
  enabled: boolean;
}
export const settings: TelemetrySettings = { enabled: process.env.RQTS_OTEL_DISABLED === undefined || process.env.RQTS_OTEL_DISABLED === '' || process.env.RQTS_OTEL_DISABLED === '0' };

/** Options of {@link configureTelemetry}. */
export interface TelemetryOptions {
  /**
   * Turn rqts's spans, trace-context propagation and metrics on or off for the whole process (each
   * Queue and Worker also takes `telemetry: false`). `RQTS_OTEL_DISABLED=1` in the environment turns them
   * off at start.
   * @defaultValue true (they only do anything when `@opentelemetry/api` is installed)
   */
  enabled?: boolean;
}

/**
 * Switch OpenTelemetry support on or off process-wide.
 * @example configureTelemetry({ enabled: false })
 */
export function configureTelemetry(options: TelemetryOptions): void {
  if (!options || typeof options !== 'object') throw new TypeError('configureTelemetry expects { enabled }');
  if (options.enabled !== undefined) settings.enabled = options.enabled === true;
}

