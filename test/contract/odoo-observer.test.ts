import { describe, expect, it } from 'vitest';
import { type ObservedCall, OdooClient } from '../../connector/odoo/client.ts';
import { toExecuteKw } from '../../connector/odoo/transport.ts';
import { doubleConfig, useOdooDouble } from '../support/odoo.ts';

describe('the Odoo client tells an observer of every call (the benchmark records them for its replay)', () => {
  const double = useOdooDouble('18');

  it('each call, in order, with its outcome and created ids, in the execute_kw form a replay needs', async () => {
    const seen: ObservedCall[] = [];
    const odoo = await OdooClient.connect(doubleConfig(double(), 'password'), {
      observe: (o) => seen.push(o),
    });
    try {
      const ids = await odoo.create('res.partner', [{ name: 'Observed' }], { tracking_disable: true });
      await odoo.read('res.partner', ids, ['name']);
      await odoo.callOn('res.partner', 'no_such_method', ids).catch(() => undefined);
      const calls = seen.filter((o) => o.call.model === 'res.partner');
      expect(calls.map((o) => [o.call.method, o.ok])).toEqual([
        ['create', true],
        ['read', true],
        ['no_such_method', false],
      ]);
      expect(calls[0]?.result).toEqual(ids);
      expect(toExecuteKw(calls[0]?.call ?? { model: '', method: '' })).toEqual({
        args: [[{ name: 'Observed' }]],
        kwargs: { context: { tracking_disable: true } },
      });
      expect(toExecuteKw(calls[1]?.call ?? { model: '', method: '' })).toEqual({
        args: [ids],
        kwargs: { fields: ['name'] },
      });
    } finally {
      await odoo.close();
    }
  });
});
