/**
 * UID search (`?q=`): an item matches when its UID contains the text starting at a token boundary
 * (the start, or after - . /): `L2026-03-0001`, `V0100`, `00042` (serial prefix) all match
 * `PAD-V0100-L2026-03-0000042`-like UIDs; `2026` alone does not (it starts inside `L2026`).
 *
 * Why not plain substring search with a trigram index (tried first, ADR 0006): UIDs share almost
 * all their trigrams (`L20`, `000`, …), so every query read posting lists covering most rows —
 * 57 ms of CPU per query at 1,000,000 items, P95 653 ms under load. Here each UID token is one
 * lexeme of a GIN index; a query's tokens are lexemes (the last one a prefix): GIN's fast scan
 * starts from the rarest and skips through the common ones. The substring test on the UID then
 * keeps the tokens in order and adjacent. The index's pending list is kept small (256 kB):
 * GIN scans it linearly on every query, and a bulk status change fills it (4 MB by default made
 * a query 3x slower until the next vacuum). The tokens live in their own table, item_uid_tokens
 * (see its schema): under row-level security PostgreSQL would not use the index on items.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { itemUidTokens } from './schema.js';

const SEPARATORS = /[-./]/;

/**
 * The condition for `q` on an item (its ID and UID columns), or undefined when q has no token.
 * The indexed tokens are the UID's, lower-cased, as a tsvector (no parser: exact), written by
 * the trigger of migration 0022.
 */
export function uidMatches(id: SQLWrapper, uid: SQLWrapper, q: string): SQL | undefined {
  const tokens = q
    .toLowerCase()
    .split(SEPARATORS)
    .filter((t) => t !== '');
  if (!tokens.length) return undefined;
  // Tokens followed by a separator in q are whole tokens of the UID: exact lexemes, which GIN's
  // fast scan can skip through (a prefix lexeme is read in full: 11 ms instead of 1 ms at 1M
  // items). Only a last token that q leaves open is a prefix. Quoted for tsquery syntax
  // ('' and \\ escaped) and cast rather than parsed, like the index side.
  const open = !SEPARATORS.test(q.at(-1)!);
  const query = tokens
    .map((t, i) => {
      const lexeme = `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
      return open && i === tokens.length - 1 ? `${lexeme}:*` : lexeme;
    })
    .join(' & ');
  const like = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
  return sql`(${id} in (select ${itemUidTokens.itemId} from ${itemUidTokens} where ${itemUidTokens.tokens} @@ ${query}::tsquery) and ${uid} ilike ${like})`;
}
