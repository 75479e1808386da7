// Markdown-light for answers and help articles, as Preact elements (never HTML strings): paragraphs, line
// breaks, headings, **bold**, *emphasis*, `code`, lists (nested), tables, and links to other articles only
// (`[Title](other-slug)`). Anything else (raw HTML, images, links elsewhere) stays text: every piece of
// the source ends up as a string child, which Preact escapes. `\*` and friends are literal characters,
// which is how the server quotes data (a memo, a name) inside an answer.
//
// Linear in the input: blocks are read line by line; inline markers are found with indexOf, and a marker
// with no closing one left is never searched for again; nesting is capped.
import type { ComponentChild } from 'preact';
import { isSlug } from './help-api.ts';

export interface MarkdownOptions {
  /** A link to an article: the element to show for it (null: its text only). */
  article(slug: string, children: ComponentChild[]): ComponentChild | null;
}

const MAX_DEPTH = 4;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)[\s#]*$/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const ROW = /^\s*\|?(.*?)\|?\s*$/;
const isRule = (line: string) => /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(line);
const indentOf = (line: string) => line.length - line.trimStart().length;
const cells = (line: string) => ROW.exec(line)![1]!.split('|').map((c) => c.trim());

export function markdown(source: string, opts: MarkdownOptions): ComponentChild[] {
  return blocks(source.replace(/\r\n?/g, '\n').replaceAll('\t', '    ').split('\n'), opts, 0);
}

function blocks(lines: string[], opts: MarkdownOptions, depth: number): ComponentChild[] {
  const out: ComponentChild[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push(<p class="vc-md-h">{inline(heading[2]!, opts)}</p>);
      i++;
      continue;
    }
    if (line.includes('|') && lines[i + 1] !== undefined && isRule(lines[i + 1]!)) {
      const head = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i]!.includes('|'); i++) rows.push(cells(lines[i]!));
      out.push(
        <div class="vc-md-table">
          <table>
            <thead>
              <tr>{head.map((c) => <th scope="col">{inline(c, opts)}</th>)}</tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>{head.map((_, k) => <td>{inline(r[k] ?? '', opts)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>,
      );
      continue;
    }
    const first = depth < MAX_DEPTH ? ITEM.exec(line) : null;
    if (first) {
      // One list: items at this indentation; deeper lines (and continuation lines) belong to the item above.
      const indent = first[1]!.length;
      const ordered = /\d/.test(first[2]!);
      const items: string[][] = [];
      const sibling = (l: string | undefined) => {
        const m = l === undefined ? null : ITEM.exec(l);
        return m && m[1]!.length <= indent + 1 && /\d/.test(m[2]!) === ordered ? m : null;
      };
      while (i < lines.length) {
        const l = lines[i]!;
        const m = sibling(l);
        const at = indentOf(l);
        if (m) items.push([m[3]!]);
        else if (!l.trim()) {
          // A blank line inside the list: it goes on with another item or deeper content.
          const next = lines[i + 1];
          if (next === undefined || !next.trim() || !(sibling(next) || indentOf(next) > indent)) break;
        } else if (at > indent) items.at(-1)!.push(l.slice(Math.min(at, indent + 2)));
        else if (!HEADING.test(l) && !ITEM.test(l) && lines[i - 1]!.trim()) items.at(-1)![0] += ` ${l.trim()}`;
        else break;
        i++;
      }
      const children = items.map(([text, ...rest]) => (
        <li>
          {inline(text!, opts)}
          {rest.length > 0 && blocks(rest, opts, depth + 1)}
        </li>
      ));
      out.push(ordered ? <ol>{children}</ol> : <ul>{children}</ul>);
      continue;
    }
    // A paragraph: until a blank line or another block; its line breaks are kept.
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() && (para.length === 0 || (!HEADING.test(lines[i]!) && !ITEM.test(lines[i]!)))) para.push(lines[i++]!.trim());
    out.push(<p>{para.flatMap((l, k) => (k ? [<br />, ...inline(l, opts)] : inline(l, opts)))}</p>);
  }
  return out;
}

/** Inline markup of one line. `none`: markers already known to have no closing one from here on. */
function inline(text: string, opts: MarkdownOptions, depth = 0, none = new Set<string>()): ComponentChild[] {
  const out: ComponentChild[] = [];
  let plain = '';
  const flush = (): void => {
    if (plain) out.push(plain);
    plain = '';
  };
  const closing = (marker: string, from: number): number => {
    if (none.has(marker)) return -1;
    const at = text.indexOf(marker, from);
    if (at < 0) none.add(marker);
    return at;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && /[\\`*_{}[\]()<>#+\-.!|~]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = closing('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push(<code>{text.slice(i + 1, end)}</code>);
        i = end + 1;
        continue;
      }
    } else if (depth < MAX_DEPTH && (c === '*' || c === '_')) {
      const strong = text[i + 1] === c;
      const marker = strong ? c + c : c;
      const end = closing(marker, i + marker.length + 1);
      // Emphasis opens before a non-space, and `_` only at a word's start (snake_case stays text).
      if (end > 0 && text[i + marker.length] !== ' ' && (c === '*' || !/\w/.test(text[i - 1] ?? ''))) {
        flush();
        const inner = inline(text.slice(i + marker.length, end), opts, depth + 1, new Set());
        out.push(strong ? <strong>{inner}</strong> : <em>{inner}</em>);
        i = end + marker.length;
        continue;
      }
    } else if (c === '[' && depth < MAX_DEPTH) {
      const mid = closing('](', i + 1);
      const end = mid > 0 ? closing(')', mid + 2) : -1;
      if (end > 0) {
        const target = text.slice(mid + 2, end).trim();
        const label = inline(text.slice(i + 1, mid), opts, depth + 1, new Set());
        const slug = target.replace(/^\.?\//, '');
        flush();
        out.push(...(isSlug(slug) ? [opts.article(slug, label) ?? label].flat() : label));
        i = end + 1;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}
