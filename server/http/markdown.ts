// Knowledge-base markdown → HTML for the pages the server renders (the /help center). A small renderer for the
// subset the articles use (kb/vpay/README.md): paragraphs, **bold**, *emphasis*, `code`, lists (nested, loose or
// tight), tables, headings, quotes, fenced code, and links to other articles only (`[Title](other-slug)`).
//
// Safe by construction: every character of the source is escaped with the one HTML escaper (html.ts); the only
// markup in the output is the tags made here, and the only URLs are the ones `articleHref` makes for existing
// articles. Raw HTML, images and links anywhere else are shown as text. Linear in the input: blocks are read line
// by line, code spans and emphasis found with indexOf or patterns whose repetitions are bounded and unambiguous,
// and nesting is capped, so no input (articles are written by merchants) can make it slow.
import { KB_SLUG, MAX_KB_SLUG_LENGTH } from '../../protocol/assistant.ts';
import { escapeHtml } from './html.ts';

export interface MarkdownOptions {
  /** The address of another article, or null when the workspace has no such article (its title stays, unlinked). */
  articleHref(slug: string): string | null;
}

/** Deeper lists and quotes are shown as text. */
const MAX_DEPTH = 6;
/** Wider tables are text: every row is rendered with the head's columns, so this bounds the output. */
const MAX_COLUMNS = 30;
/** The private marker of a placeholder in inline text; removed from the input first. */
const MARK = '\u0000';

export function renderMarkdown(markdown: string, opts: MarkdownOptions): string {
  const lines = markdown.replaceAll(MARK, '').replace(/\r\n?/g, '\n').replaceAll('\t', '    ').split('\n');
  return blocks(lines, opts, 0, false);
}

// --- Blocks -----------------------------------------------------------------------------------------------------

const isBlank = (line: string) => line.trim() === '';
const indentOf = (line: string) => line.length - line.trimStart().length;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,12})([-*+]|(\d{1,9})[.)])( {1,4}|$)/;

interface ListMarker {
  ordered: boolean;
  start: number;
  /** Where the item's text begins: continuation lines are indented at least this much. */
  contentAt: number;
  indent: number;
}

function listMarker(line: string): ListMarker | null {
  const m = LIST_ITEM.exec(line);
  if (!m) return null;
  // "---" or "***" alone is a rule, not an item.
  if (/^ {0,3}([-*])( ?\1){2,} *$/.test(line)) return null;
  const indent = m[1]!.length;
  return { ordered: m[3] !== undefined, start: m[3] ? Number(m[3]) : 1, contentAt: indent + m[2]!.length + Math.max(1, m[4]!.length), indent };
}

function isTableStart(lines: string[], i: number): boolean {
  const head = lines[i]!;
  const rule = lines[i + 1];
  if (rule === undefined || !head.includes('|')) return false;
  const cells = splitRow(rule);
  if (cells.length === 0 || cells.length > MAX_COLUMNS || !rule.includes('-') || !cells.every((c) => /^:?-+:?$/.test(c.trim()))) return false;
  return splitRow(head).length <= MAX_COLUMNS;
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i]!;
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || listMarker(line) !== null || isTableStart(lines, i);
}

/** Renders lines as blocks; `tight`: paragraphs without <p> (the text of a tight list item). */
function blocks(lines: string[], opts: MarkdownOptions, depth: number, tight: boolean): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!)) code.push(lines[i++]!);
      i++;
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      // Below the page's own title (h1): a "#" in an article is a section.
      const level = Math.max(2, heading[1]!.length);
      let text = line.slice(heading[0].length).trim();
      while (text.endsWith('#')) text = text.slice(0, -1);
      out.push(`<h${level}>${inline(text.trim(), opts)}</h${level}>`);
      i++;
      continue;
    }
    if (isTableStart(lines, i)) {
      const rows: string[] = [];
      const head = splitRow(line);
      i += 2;
      while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) rows.push(lines[i++]!);
      out.push(table(head, rows.map(splitRow), opts));
      continue;
    }
    if (depth < MAX_DEPTH && QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) quoted.push(lines[i++]!.replace(QUOTE, ''));
      out.push(`<blockquote>${blocks(quoted, opts, depth + 1, false)}</blockquote>`);
      continue;
    }
    const marker = depth < MAX_DEPTH ? listMarker(line) : null;
    if (marker) {
      const list = readList(lines, i, marker);
      i = list.end;
      const tag = marker.ordered ? 'ol' : 'ul';
      const start = marker.ordered && marker.start !== 1 ? ` start="${marker.start}"` : '';
      const items = list.items.map((item) => `<li>${blocks(item, opts, depth + 1, !list.loose)}</li>`);
      out.push(`<${tag}${start}>\n${items.join('\n')}\n</${tag}>`);
      continue;
    }
    // A paragraph: up to a blank line or the start of another block.
    const text: string[] = [line.trim()];
    i++;
    while (i < lines.length && !isBlank(lines[i]!) && !startsBlock(lines, i)) text.push(lines[i++]!.trim());
    const html = inline(text.join('\n'), opts);
    out.push(tight ? html : `<p>${html}</p>`);
  }
  return out.join('\n');
}

/** A list from line `start`: each item's lines with the item's indentation removed, and whether it is loose. */
function readList(lines: string[], start: number, first: ListMarker): { items: string[][]; loose: boolean; end: number } {
  const items: string[][] = [];
  let loose = false;
  let i = start;
  let marker: ListMarker | null = first;
  while (marker && marker.ordered === first.ordered) {
    const item = [lines[i]!.slice(marker.contentAt)];
    const contentAt = marker.contentAt;
    i++;
    let sawBlank = false;
    for (; i < lines.length; i++) {
      const line = lines[i]!;
      if (isBlank(line)) {
        sawBlank = true;
        item.push('');
        continue;
      }
      if (indentOf(line) >= contentAt) {
        if (sawBlank) loose = true;
        sawBlank = false;
        item.push(line.slice(contentAt));
        continue;
      }
      // Not indented enough: the next item, the end of the list, or (right after text) a lazy continuation.
      const next = listMarker(line);
      if (next && next.indent < contentAt) break;
      if (!sawBlank && !next && !startsBlock(lines, i)) {
        item.push(line.trim());
        continue;
      }
      break;
    }
    while (item.length && isBlank(item[item.length - 1]!)) item.pop();
    items.push(item);
    marker = i < lines.length ? listMarker(lines[i]!) : null;
    if (marker && marker.ordered === first.ordered && marker.indent <= first.indent + 3) {
      // A blank line between two items makes the list loose.
      if (isBlank(lines[i - 1]!)) loose = true;
    } else marker = null;
  }
  return { items, loose, end: i };
}

function splitRow(row: string): string[] {
  let text = row.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  return text.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|'));
}

function table(head: string[], rows: string[][], opts: MarkdownOptions): string {
  const cell = (tag: 'th' | 'td', text: string) => `<${tag}${tag === 'th' ? ' scope="col"' : ''}>${inline(text, opts)}</${tag}>`;
  const body = rows.map((r) => `<tr>${head.map((_, c) => cell('td', r[c] ?? '')).join('')}</tr>`).join('\n');
  // The wrapper scrolls a wide table sideways on a phone instead of widening the page.
  return `<div class="table-wrap"><table>\n<thead><tr>${head.map((h) => cell('th', h)).join('')}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

// --- Inline -----------------------------------------------------------------------------------------------------

const ESCAPABLE = /\\([\\`*_{}[\]()#+\-.!|>~<"'&])/g;
/** `[label](target)`: bounded label and target, neither containing its own delimiters. */
const LINK = /\[([^[\]\n]{1,300})\]\(([^()\s]{1,300})\)/g;
const STRONG = /\*\*([^*\s](?:[^*]{0,500}[^*\s])?)\*\*/g;
const EMPHASIS = /(^|[^\p{L}\p{N}*])\*([^*\s](?:[^*]{0,300}[^*\s])?)\*(?![\p{L}\p{N}*])/gu;
const UNDERSCORE = /(^|[^\p{L}\p{N}_])_([^_\s](?:[^_]{0,300}[^_\s])?)_(?![\p{L}\p{N}_])/gu;
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

/**
 * One block's text → HTML. Code spans, backslash escapes and links become placeholders first (so emphasis cannot
 * reach into them), the rest is escaped, emphasis is applied to the escaped text, then the placeholders are put back.
 */
function inline(text: string, opts: MarkdownOptions): string {
  const tokens: string[] = [];
  const hold = (html: string) => `${MARK}${tokens.push(html) - 1}${MARK}`;
  const restore = (s: string) => s.replace(PLACEHOLDER, (_m, n: string) => tokens[Number(n)] ?? '');

  // Code spans: a run of backticks up to the next run of the same length.
  let rest = '';
  let pos = 0;
  for (;;) {
    const open = text.indexOf('`', pos);
    if (open < 0) break;
    let run = 1;
    while (text[open + run] === '`') run++;
    const close = text.indexOf('`'.repeat(run), open + run);
    if (close < 0) {
      rest += text.slice(pos, open + run);
      pos = open + run;
      continue;
    }
    let code = text.slice(open + run, close).replace(/\n/g, ' ');
    if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
    rest += text.slice(pos, open) + hold(`<code>${escapeHtml(code)}</code>`);
    pos = close + run;
  }
  rest += text.slice(pos);

  rest = rest.replace(ESCAPABLE, (_m, c: string) => hold(escapeHtml(c)));
  rest = rest.replace(LINK, (_m, label: string, target: string) => {
    const labelHtml = restore(emphasis(escapeHtml(label)));
    const slug = target.replace(/^\.\//, '');
    const href = slug.length <= MAX_KB_SLUG_LENGTH && KB_SLUG.test(slug) ? opts.articleHref(slug) : null;
    return hold(href === null ? labelHtml : `<a href="${escapeHtml(href)}">${labelHtml}</a>`);
  });
  return restore(emphasis(escapeHtml(rest)));
}

function emphasis(escaped: string): string {
  return escaped
    .replace(STRONG, '<strong>$1</strong>')
    .replace(EMPHASIS, '$1<em>$2</em>')
    .replace(UNDERSCORE, '$1<em>$2</em>');
}
