// Plain-text tables for a terminal: upper-case headers, columns padded to their widest cell,
// numbers right-aligned, no trailing spaces.

export interface Column<Row> {
  header: string;
  cell(row: Row): string | number;
}

export function table<Row>(rows: Row[], columns: Column<Row>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const numeric = columns.map((_, i) => cells.length > 0 && cells.every((row) => typeof row[i] === 'number'));
  const text = [columns.map((c) => c.header.toUpperCase()), ...cells.map((row) => row.map((v) => oneLine(String(v))))];
  const widths = columns.map((_, i) => Math.max(...text.map((row) => row[i]!.length)));
  return text
    .map((row) => row.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');
