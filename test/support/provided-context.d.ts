import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real Redis started by the global set-up. */
    redisUrl: string;
  }
}
