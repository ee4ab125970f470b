import { inspect } from 'node:util';

/**
 * A secret value (token, password, API key) that cannot reach a log or a message by accident:
 * string conversion, JSON and util.inspect all show a placeholder. Read it with `reveal()` at the
 * one place it is sent.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}
