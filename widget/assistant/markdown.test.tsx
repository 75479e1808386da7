// @vitest-environment happy-dom
// Markdown-light: what answers and articles may use, and that nothing else ever becomes markup.
import type { ComponentChild } from 'preact';
import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markdown } from './markdown.tsx';

let box: HTMLElement;
beforeEach(() => {
  box = document.createElement('div');
  document.body.append(box);
});
afterEach(() => {
  render(null, box);
  box.remove();
});

const linked: string[] = [];
const draw = (source: string): HTMLElement => {
  render(<div>{markdown(source, { article: (slug: string, children: ComponentChild[]) => (linked.push(slug), <a data-slug={slug}>{children}</a>) })}</div>, box);
  return box.firstElementChild as HTMLElement;
};

describe('markdown-light', () => {
  it('draws paragraphs, line breaks, bold, emphasis, code, headings and lists', () => {
    const el = draw('Refunds take **5 business days**, *usually* less.\nSecond line.\n\n## Details\n\n- one\n- two `0xabc`\n  - nested\n\n1. first\n2. second');
    expect(el.querySelectorAll('p')[0]!.innerHTML).toBe('Refunds take <strong>5 business days</strong>, <em>usually</em> less.<br>Second line.');
    expect(el.querySelector('.vc-md-h')!.textContent).toBe('Details');
    expect([...el.querySelectorAll(':scope > ul > li')].map((li) => li.firstChild!.textContent)).toEqual(['one', 'two ']);
    expect(el.querySelector('ul ul li')!.textContent).toBe('nested');
    expect(el.querySelector('code')!.textContent).toBe('0xabc');
    expect([...el.querySelectorAll('ol li')].map((li) => li.textContent)).toEqual(['first', 'second']);
  });

  it('draws tables', () => {
    const el = draw('| English | Spanish |\n|---|---|\n| Network busy | Red congestionada |');
    expect([...el.querySelectorAll('th')].map((c) => c.textContent)).toEqual(['English', 'Spanish']);
    expect([...el.querySelectorAll('td')].map((c) => c.textContent)).toEqual(['Network busy', 'Red congestionada']);
  });

  it('links articles only: other targets are their text', () => {
    linked.length = 0;
    const el = draw('See [Refunds](how-refunds-work), [evil](javascript:alert), [site](https://evil.example) and [name] here.');
    expect(linked).toEqual(['how-refunds-work']);
    expect(el.querySelectorAll('a')).toHaveLength(1);
    expect(el.querySelector('a')!.getAttribute('data-slug')).toBe('how-refunds-work');
    expect(el.textContent).toBe('See Refunds, evil, site and [name] here.');
    expect(el.innerHTML).not.toMatch(/href|javascript/);
  });

  it('never makes HTML: tags, handlers and images in an answer or article stay text', () => {
    (window as unknown as { pwned?: number }).pwned = 0;
    const source = '<img src=x onerror="window.pwned=1"> **<b onmouseover="x">bold?</b>** ![alt](https://x/y.png) <script>window.pwned=2</script>';
    const el = draw(source);
    expect(el.querySelectorAll('img, script, b')).toHaveLength(0);
    expect(el.textContent).toContain('<img src=x onerror="window.pwned=1">');
    expect(el.textContent).toContain('<script>window.pwned=2</script>');
    expect((window as unknown as { pwned?: number }).pwned).toBe(0);
  });

  it('shows escaped data literally (how the server quotes a memo): no bold, no link', () => {
    const el = draw('Note on the payment: “\\*\\*free\\*\\* \\[click\\]\\(refund-policy\\)”');
    expect(el.querySelectorAll('strong, a')).toHaveLength(0);
    expect(el.textContent).toBe('Note on the payment: “**free** [click](refund-policy)”');
  });

  it('keeps snake_case and lone markers as text', () => {
    expect(draw('use tx_hash_prefix, 2 * 3 and a * b').textContent).toBe('use tx_hash_prefix, 2 * 3 and a * b');
  });

  it('stays linear on hostile input', () => {
    const hostile = ['*'.repeat(20_000), '['.repeat(5000) + ']('.repeat(5000), '**a'.repeat(5000), '`'.repeat(9999), '- '.repeat(3000), '  '.repeat(2000) + '- x\n'.repeat(2000)].join('\n');
    const t0 = performance.now();
    markdown(hostile, { article: () => null });
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});
