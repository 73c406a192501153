import { CUSTOMER } from '../catalog.model';
import { normalize } from './source-text';

const CUSTOMER_HEADERS = new Set(['customer', 'customers', 'client', 'clients', 'cliente', 'the customer', 'le client']);
const PROVIDER_HEADERS = new Set(['provider', 'cloud provider', 'fournisseur', 'prestataire', 'supplier', 'vendor']);

/**
 * The party a column header names: `customer` (Customer, Client), `provider` (Provider,
 * Fournisseur, or the provider's own name), or null for another party named by its header.
 */
export function partyOfHeader(header: string, provider?: string): string | null {
  const h = normalize(header);
  if (CUSTOMER_HEADERS.has(h)) return CUSTOMER;
  if (PROVIDER_HEADERS.has(h) || (provider !== undefined && h === normalize(provider))) return 'provider';
  return null;
}

/** A party name the catalog format accepts (lowercase letters and `_`, up to 32) from any other header. */
export function partyName(header: string): string {
  return normalize(header)
    .replace(/ /g, '_')
    .replace(/[^a-z_]/g, '')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32);
}
