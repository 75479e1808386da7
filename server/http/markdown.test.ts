// The help center's markdown renderer: the subset the knowledge base uses, escaped everywhere, links to existing
// articles only, and linear on hostile input.
import { describe, expect, it } from 'vitest';
import { readArticleFolder, DEFAULT_KB_DIR } from '../services/assistant/kb.ts';
import { renderMarkdown } from './markdown.ts';

const known = new Set(['request-refund', 'partial-refund', 'open-dispute']);
const render = (md: string) => renderMarkdown(md, { articleHref: (slug) => (known.has(slug) ? `/help/${slug}` : null) });

describe('renderMarkdown', () => {
  it('renders paragraphs, bold, emphasis and code spans', () => {
    expect(render('One **two** *three* `four`\nstill one.\n\nTwo.')).toBe(
      '<p>One <strong>two</strong> <em>three</em> <code>four</code>\nstill one.</p>\n<p>Two.</p>',
    );
  });

  it('escapes every character of the source, code spans included', () => {
    const html = render('<script>alert(1)</script> & "x" \'y\' `<b>` **<i>**');
    expect(html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39; <code>&lt;b&gt;</code> <strong>&lt;i&gt;</strong></p>',
    );
  });

  it('links to existing articles only; other targets keep their text, unlinked', () => {
    expect(render('See [How do I ask?](request-refund).')).toBe('<p>See <a href="/help/request-refund">How do I ask?</a>.</p>');
    expect(render('[gone](no-such-article) [x](javascript:alert(1)) [y](https://evil.example) ![img](https://evil.example/a.png)')).toBe(
      '<p>gone [x](javascript:alert(1)) y !img</p>',
    );
    expect(render('[**Bold** `code`](partial-refund)')).toBe('<p><a href="/help/partial-refund"><strong>Bold</strong> <code>code</code></a></p>');
    expect(render('[a "quote"](open-dispute)')).toContain('>a &quot;quote&quot;</a>');
  });

  it('renders tight and loose lists, nested lists and continuation paragraphs', () => {
    expect(render('- one\n- **two**')).toBe('<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>');
    expect(render('1. First\n2. Choose:\n   - A\n   - B\n3. Third')).toBe(
      '<ol>\n<li>First</li>\n<li>Choose:\n<ul>\n<li>A</li>\n<li>B</li>\n</ul></li>\n<li>Third</li>\n</ol>',
    );
    expect(render('1. Get the key.\n2. Add the tag:\n\n   `<script src="x">`\n\n3. Done.')).toBe(
      '<ol>\n<li><p>Get the key.</p></li>\n<li><p>Add the tag:</p>\n<p><code>&lt;script src=&quot;x&quot;&gt;</code></p></li>\n<li><p>Done.</p></li>\n</ol>',
    );
    expect(render('3. three\n4. four')).toBe('<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>');
    expect(render('Intro:\n- a\n- b\nAfter')).toBe('<p>Intro:</p>\n<ul>\n<li>a</li>\n<li>b\nAfter</li>\n</ul>');
  });

  it('renders tables, headings, quotes and fenced code', () => {
    expect(render('| Network | Fee |\n|---|---:|\n| VPay | 0.5% |\n| <b> | `x|y` |')).toBe(
      '<div class="table-wrap"><table>\n<thead><tr><th scope="col">Network</th><th scope="col">Fee</th></tr></thead>\n<tbody>\n' +
        '<tr><td>VPay</td><td>0.5%</td></tr>\n<tr><td>&lt;b&gt;</td><td>`x</td></tr>\n</tbody>\n</table></div>',
    );
    expect(render('# Top\n### Third ###')).toBe('<h2>Top</h2>\n<h3>Third</h3>');
    expect(render('> quoted **text**')).toBe('<blockquote><p>quoted <strong>text</strong></p></blockquote>');
    expect(render('```\n<b>\n```')).toBe('<pre><code>&lt;b&gt;</code></pre>');
  });

  it('keeps backslash-escaped marks literal and intraword underscores alone', () => {
    expect(render('\\*not em\\* snake_case_name _em_')).toBe('<p>*not em* snake_case_name <em>em</em></p>');
  });

  it('drops NUL characters, so nothing can forge a placeholder', () => {
    expect(render('a\u00000\u0000b `c`')).toBe('<p>a0b <code>c</code></p>');
  });

  it('stays fast on hostile input', () => {
    const inputs = [
      '**a'.repeat(20_000),
      '*a '.repeat(20_000),
      '['.repeat(20_000) + ']('.repeat(10_000),
      '`'.repeat(20_000),
      '- '.repeat(10_000) + 'x',
      '> '.repeat(10_000) + 'x',
      `${'|'.repeat(5_000)}\n|---|\n`.repeat(4),
      '_a'.repeat(20_000),
      `${'  - x\n'.repeat(5_000)}`,
    ];
    for (const input of inputs) {
      const started = performance.now();
      render(input);
      expect(performance.now() - started, input.slice(0, 12)).toBeLessThan(500);
    }
  });

  it('renders every default article without leaving markdown marks behind', async () => {
    const articles = await readArticleFolder(DEFAULT_KB_DIR);
    const all = new Set(articles.map((a) => a.slug));
    for (const a of articles) {
      const html = renderMarkdown(a.details, { articleHref: (slug) => (all.has(slug) ? `/help/${slug}` : null) });
      expect(html, a.slug).not.toMatch(/\*\*|\]\(|<script/);
      // Every link in the default knowledge base names an article that exists.
      expect((html.match(/<a /g) ?? []).length, a.slug).toBe((a.details.match(/\]\([a-z0-9-]+\)/g) ?? []).length);
    }
  });
});
