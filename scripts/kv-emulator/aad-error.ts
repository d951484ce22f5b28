/** A token endpoint failure shaped like Microsoft Entra ID's: `{error, error_description: "AADSTS…", error_codes}`. */
export class AadError extends Error {
  readonly status: number;
  readonly error: string;
  readonly aadCode: number;
  constructor(status: number, error: string, aadCode: number, message: string) {
    super(`AADSTS${aadCode}: ${message}`);
    this.name = 'AadError';
    this.status = status;
    this.error = error;
    this.aadCode = aadCode;
  }

  body(traceId: string, timestamp: string): Record<string, unknown> {
    return {
      error: this.error,
      error_description: `${this.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${traceId}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.aadCode],
      timestamp,
      trace_id: traceId,
      correlation_id: traceId,
    };
  }
}
