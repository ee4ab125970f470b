import type { RcpConfig } from '../config.ts';
import { RcpAnswerError, RcpAuthError } from './errors.ts';
import { Token } from './schemas.ts';

/** Renew this long before `expires`, so a token never dies in the middle of a run. */
const RENEW_MARGIN_MS = 60_000;
const TOKEN_TTL_SECONDS = 86_400;

export interface TokenSource {
  token(): Promise<string>;
  /** Forget the current token after a 401; answers whether a new one can be had. */
  invalidate(): boolean;
}

type PostJson = (path: string, body: unknown) => Promise<{ status: number; body: unknown }>;

export function createTokenSource(auth: RcpConfig['auth'], post: PostJson, now: () => number): TokenSource {
  if (auth.kind === 'token') {
    const token = auth.token.reveal();
    return { token: async () => token, invalidate: () => false };
  }
  let current: { key: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const login = async (): Promise<string> => {
    const answer = await post('/auth/token', {
      code: '',
      domain: auth.domain,
      login: auth.login,
      password: auth.password.reveal(),
      ttl: TOKEN_TTL_SECONDS,
    });
    if (answer.status !== 200) {
      throw new RcpAuthError(
        'POST /auth/token',
        answer.status,
        `RCP refused the login of RCP_LOGIN=${auth.login} in domain ${auth.domain} (HTTP ${answer.status}): check RCP_LOGIN, RCP_PASSWORD and RCP_DOMAIN`,
      );
    }
    const token = Token.safeParse(answer.body);
    if (!token.success)
      throw new RcpAnswerError('POST /auth/token', 'RCP answered POST /auth/token without a token key');
    const expires = token.data.expires ? parseRcpTime(token.data.expires) : Number.POSITIVE_INFINITY;
    current = { key: token.data.key, expiresAt: expires };
    return token.data.key;
  };

  return {
    async token() {
      if (current && current.expiresAt - RENEW_MARGIN_MS > now()) return current.key;
      pending ??= login().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate() {
      current = undefined;
      return true;
    },
  };
}

/** RCP writes times without an offset (`2023-04-20T22:09:15.795989`): those are UTC. */
export function parseRcpTime(text: string): number {
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  return Date.parse(hasOffset ? text : `${text}Z`);
}
