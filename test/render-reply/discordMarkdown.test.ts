import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToHtml, type MarkdownNames } from '../../scripts/render-reply/discordMarkdown.js';

/** The markdown of bot replies as Discord shows it. */

const names: MarkdownNames = {
  user: (id) => (id === '1' ? 'Noor' : undefined),
  channel: () => undefined,
  role: (id) => (id === '3' ? 'mods' : undefined),
  now: new Date('2023-11-20T00:00:00Z'),
  timeZone: 'UTC',
};
const line = (text: string) => markdownToHtml(text, names).replace(/^<div class="md-line">(.*)<\/div>$/, '$1');

test('timestamps follow their style, relative ones from now', () => {
  assert.equal(line('<t:1700000000:D>'), '<span class="timestamp">November 14, 2023</span>');
  assert.equal(line('<t:1700000000:t>'), '<span class="timestamp">10:13 PM</span>');
  assert.equal(line('<t:1700000000:R>'), '<span class="timestamp">5 days ago</span>');
});

test('unknown mentions say so; role mentions show the role', () => {
  assert.equal(
    line('<@2> <#9> <@&3>'),
    '<span class="mention">@unknown-user</span> <span class="mention">#unknown</span> <span class="mention">@mods</span>',
  );
});

test('bold, italics, code and links; a bare link stops before closing punctuation', () => {
  assert.equal(line('**a** *b* `c<d>`'), '<strong>a</strong> <em>b</em> <code>c&lt;d&gt;</code>');
  assert.equal(line('see https://example.test/x.'), 'see <a href="https://example.test/x">https://example.test/x</a>.');
});

test('headings, small text and quotes are lines of their own', () => {
  assert.equal(
    markdownToHtml('# Big\n-# small\n> quoted', names),
    '<h3 class="md-h1">Big</h3><div class="md-small">small</div><div class="md-quote">quoted</div>',
  );
});
