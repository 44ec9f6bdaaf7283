import type { Keyv } from 'keyv';

/**
 * SQLite reads the store through a memory map (keyvFactory.ts turns it on): fast for the large
 * reads of a start-up load, but every page read stays resident, and counts against the process,
 * for as long as it is mapped: a second copy of the whole store beside the index built from it.
 * Setting the map size to 0 unmaps those pages; setting it back maps again, lazily, for the next
 * large read.
 */
export async function releaseMappedPages(keyv: Keyv): Promise<void> {
  const adapter = keyv.store as { query(sql: string): Promise<Array<{ mmap_size?: number }>> };
  const [row] = await adapter.query('PRAGMA mmap_size');
  const size = row?.mmap_size ?? 0;
  if (!(size > 0)) return;
  await adapter.query('PRAGMA mmap_size=0');
  await adapter.query(`PRAGMA mmap_size=${Math.floor(size)}`);
}
