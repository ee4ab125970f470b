/**
 * External IDs (`ir.model.data`) the connector keys its Odoo records with: module
 * `rcp_connector`, names like `client_<uuid>`, with `_` for any character Odoo rejects.
 */
export const XMLID_MODULE = 'rcp_connector';

export type XmlidKind = 'partner' | 'client' | 'product' | 'pricelist' | 'invoice';

/** `rcp_connector.client_e2cb4854_53c7_…`: Odoo takes letters, digits and `_` in the name. */
export function xmlidOf(kind: XmlidKind, key: string): string {
  return `${XMLID_MODULE}.${kind}_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** `rcp_connector.invoice_2023_06_client_<uuid>` */
export function invoiceXmlid(period: string, counterparty: 'client' | 'partner', uuid: string): string {
  return xmlidOf('invoice', `${period.replace('-', '_')}_${counterparty}_${uuid}`);
}

export function splitXmlid(xmlid: string): { module: string; name: string } {
  const dot = xmlid.indexOf('.');
  return dot < 0
    ? { module: XMLID_MODULE, name: xmlid }
    : { module: xmlid.slice(0, dot), name: xmlid.slice(dot + 1) };
}
