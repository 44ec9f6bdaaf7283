import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { messageHtml, type MessageContext, type RecordedMessage } from '../../scripts/render-reply/messageHtml.js';

/** A recorded bot message drawn as a Discord-like page: what shows, in what structure, and nothing injected. */

const IMAGE = { src: 'data:image/jpeg;base64,AAAA', width: 640, height: 480 };

function context(overrides: Partial<MessageContext> = {}): MessageContext {
  return {
    botName: 'Image Search',
    sentAt: new Date('2023-11-14T22:13:20Z'),
    invokedBy: { userName: 'Noor', command: 'find' },
    user: (id) => ({ '1': 'Noor', '2': 'Sam' })[id],
    channel: (id) => ({ '10': 'weather' })[id],
    role: () => undefined,
    now: new Date('2023-11-20T00:00:00Z'),
    timeZone: 'UTC',
    image: (url) => (url.startsWith('https://cdn.test/') || url.startsWith('attachment://') ? IMAGE : undefined),
    ...overrides,
  };
}

function message(fields: Partial<RecordedMessage>): RecordedMessage {
  return { content: '', embeds: [], components: [], attachments: [], flags: 0, ephemeral: false, ...fields };
}

const count = (html: string, text: string) => html.split(text).length - 1;

describe('an embeds results page', () => {
  const html = messageHtml(
    message({
      content: 'Results for "rain" (page 1 of 3)',
      embeds: [
        {
          title: '#1 · score 0.666',
          url: 'https://discord.com/channels/5/10/20',
          description: '<@1> in <#10> · <t:1700000000:d> · [Jump to message](https://discord.com/channels/5/10/20)',
          image: { url: 'https://cdn.test/a.png' },
        },
        { title: '#2', image: { url: 'https://elsewhere.test/b.png' } },
      ],
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 2, label: 'Previous', custom_id: 'p', disabled: true },
            { type: 2, style: 2, label: 'Next', custom_id: 'n' },
          ],
        },
      ],
      ephemeral: true,
    }),
    context(),
  );

  test('shows the command it answers, the bot as an app, and the text', () => {
    assert.match(html, /<span class="who">@Noor<\/span> used <span class="command">\/find<\/span>/);
    assert.match(html, /<span class="name">Image Search<\/span><span class="app-tag">APP<\/span>/);
    assert.match(html, /Results for &quot;rain&quot; \(page 1 of 3\)/);
  });

  test('mentions show names from the state, and timestamps a date', () => {
    assert.match(html, /<span class="mention">@Noor<\/span> in <span class="mention">#weather<\/span>/);
    assert.match(html, /<span class="timestamp">11\/14\/2023<\/span>/);
    assert.match(html, /<a href="https:\/\/discord.com\/channels\/5\/10\/20">Jump to message<\/a>/);
  });

  test('each embed has its linked title and its image inlined; an image not to be had is a placeholder', () => {
    assert.equal(count(html, 'class="embed"'), 2);
    assert.match(html, /<div class="embed-title"><a href="https:\/\/discord.com\/channels\/5\/10\/20">#1 · score 0.666<\/a><\/div>/);
    assert.match(
      html,
      /<img class="embed-image" style="width:400px;height:300px" src="data:image\/jpeg;base64,AAAA"/,
      'scaled into 400×300',
    );
    assert.match(html, /class="embed-image missing-image"/);
  });

  test('buttons keep their labels and disabled state, and the reply says only the searcher sees it', () => {
    assert.match(html, /<span class="button secondary disabled">Previous<\/span><span class="button secondary">Next<\/span>/);
    assert.match(html, /Only you can see this/);
  });
});

describe('a Components V2 page', () => {
  const gallery = {
    type: 12,
    items: Array.from({ length: 10 }, (_, i) => ({ media: { url: `attachment://r${i}.jpg` }, description: `#${i + 1}` })),
  };
  const html = messageHtml(
    message({
      flags: 1 << 15,
      content: 'never shown with Components V2',
      components: [
        {
          type: 17,
          accent_color: 0x5865f2,
          components: [
            { type: 10, content: '## Results for "rain"\n-# page 1 of 3' },
            gallery,
            { type: 14, divider: true, spacing: 2 },
            { type: 9, components: [{ type: 10, content: '**#1** <@2>' }], accessory: { type: 11, media: { url: 'attachment://r0.jpg' } } },
            { type: 1, components: [{ type: 3, custom_id: 'more', placeholder: 'More like…', options: [{ label: '#1', value: '1' }] }] },
            { type: 1, components: [{ type: 2, style: 5, label: 'Open', url: 'https://discord.com/channels/5/10/20' }] },
          ],
        },
      ],
    }),
    context(),
  );

  test('shows the components only, inside a container with its accent colour', () => {
    assert.doesNotMatch(html, /never shown/);
    assert.match(html, /<div class="container accent" style="--accent:#5865f2">/);
  });

  test('text displays render headings and small text', () => {
    assert.match(html, /<h4 class="md-h2">Results for &quot;rain&quot;<\/h4><div class="md-small">page 1 of 3<\/div>/);
  });

  test('a gallery of ten is a grid of one, then three rows of three', () => {
    const rows = [...html.matchAll(/<div class="gallery-row">(.*?)<\/div>/g)].map((row) => count(row[1] ?? '', 'class="gallery-item"'));
    assert.deepEqual(rows, [1, 3, 3, 3]);
    assert.match(html, /alt="#10"/);
  });

  test('a section shows its text beside its thumbnail; separators, select menus and link buttons show', () => {
    assert.match(
      html,
      /<div class="section"><div class="section-text">.*<strong>#1<\/strong> <span class="mention">@Sam<\/span>.*<\/div><img class="accessory-thumbnail"/,
    );
    assert.match(html, /<div class="separator large divider"><\/div>/);
    assert.match(html, /<div class="select"><span>More like…<\/span>/);
    assert.match(html, /<span class="button link">Open <svg/);
  });
});

describe('user text cannot inject markup', () => {
  const evil = '"><script>alert(1)</script><img src=x onerror=alert(1)>';
  const html = messageHtml(
    message({
      content: `Results for "${evil}" <@1> <#10> [click](javascript:alert(1))`,
      embeds: [
        { title: evil, url: 'javascript:alert(1)', description: evil, footer: { text: evil }, fields: [{ name: evil, value: evil }] },
      ],
      attachments: [{ filename: `${evil}.png`, contentType: 'image/png' }],
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 2, label: evil, custom_id: 'x' },
            { type: 3, custom_id: 'y', placeholder: evil, options: [] },
          ],
        },
      ],
    }),
    context({ botName: evil, invokedBy: { userName: evil, command: evil }, user: () => evil, channel: () => evil }),
  );

  test('only the page’s own tags and no event handlers appear', () => {
    const tags = new Set([...html.matchAll(/<([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
    const allowed = [
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'div',
      'span',
      'a',
      'img',
      'strong',
      'em',
      'u',
      's',
      'code',
      'h3',
      'h4',
      'h5',
      'br',
      'svg',
      'path',
    ];
    assert.deepEqual(
      [...tags].filter((tag) => !allowed.includes(tag)),
      [],
    );
    // Attribute names outside quoted values: a quote in user text is escaped, so it cannot end a value.
    const attributeNames = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
    const tagsWithHandlers = attributeNames.filter((tag) => /\son\w+\s*=/i.test(tag));
    assert.deepEqual(tagsWithHandlers, []);
    assert.equal(count(html, '<img '), 1, 'only the attached file is an image');
  });

  test('the text is shown, escaped, and a javascript: link is not a link', () => {
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.doesNotMatch(html, /href="javascript/i);
    assert.match(html, /\[click\]\(javascript:alert\(1\)\)/);
  });
});
