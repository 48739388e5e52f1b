import { statSync, writeFileSync } from 'node:fs';

/** Deterministic synthetic people, shared by the CSV generator and the set-based seed. */
export const GIVEN = ['Rosa', 'Juan', 'María', 'Luis', 'Ana', 'Pedro', 'Lucía', 'Carlos', 'Elena', 'Jorge', 'Sonia', 'Hugo', 'Nélida', 'Wilber', 'Yeni'];
export const FAMILY = ['Quispe', 'Mamani', 'Huamán', 'Flores', 'Condori', 'Apaza', 'Chávez', 'Rojas', 'Atencio', 'Vargas', 'Ccori', 'Torres', 'Salazar'];
export const REGIONS = ['Lima', 'Cusco', 'Puno', 'Arequipa', 'Junín', 'Piura', 'Cajamarca', 'Loreto', 'Áncash', 'Ayacucho'];

/** The same server as `serverUrl`, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Writes a member CSV of `rows` rows in the import format (a fixed seed: the
 * same file every run) and returns its size in bytes. `emailPrefix` keeps the
 * addresses apart from other data in the same database.
 */
export function generateMemberCsv(path: string, rows: number, emailPrefix = 'bench'): number {
  const lines = ['given_name,family_name,email,phone,region,locality,status,joined_on,title'];
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 1; i <= rows; i++) {
    const month = String(1 + rnd(12)).padStart(2, '0');
    const day = String(1 + rnd(28)).padStart(2, '0');
    lines.push(
      [
        GIVEN[rnd(GIVEN.length)],
        `${FAMILY[rnd(FAMILY.length)]} ${FAMILY[rnd(FAMILY.length)]}`,
        `${emailPrefix}.${i}@example.org`,
        `+519${String(10_000_000 + i).slice(-8)}`,
        REGIONS[rnd(REGIONS.length)],
        `Distrito ${rnd(200)}`,
        rnd(10) === 0 ? 'applied' : 'active',
        `${2020 + rnd(7)}-${month}-${day}`,
        rnd(20) === 0 ? 'delegado' : '',
      ].join(','),
    );
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return statSync(path).size;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const rate = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s`;
