/** Discord's dark theme, closely enough for a reader to recognise a reply: colours, spacing and sizes of the client. */

export const PAGE_BACKGROUND = '#313338';

export const PAGE_STYLE = `
* { box-sizing: border-box; }
html, body { margin: 0; background: ${PAGE_BACKGROUND}; }
body { font: 16px/1.375 "gg sans", "Noto Sans", "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; color: #dbdee1; padding: 16px 16px 16px 0; width: 860px; }
a { color: #00a8fc; text-decoration: none; }
strong { font-weight: 700; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 14px; background: #2b2d31; border-radius: 4px; padding: 0 3px; }
.invoked { display: flex; align-items: center; gap: 6px; margin-left: 36px; font-size: 14px; color: #949ba4; }
.invoked::before { content: ""; width: 30px; height: 10px; margin-left: 2px; border: 2px solid #4e5058; border-right: 0; border-bottom: 0; border-top-left-radius: 6px; }
.invoked .who { color: #dbdee1; font-weight: 500; }
.invoked .command { color: #00a8fc; }
.row { display: flex; gap: 16px; padding-left: 16px; margin-top: 2px; }
.avatar { flex: 0 0 40px; height: 40px; border-radius: 50%; background: #5865f2; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; font-size: 18px; }
.body { flex: 1; min-width: 0; }
.header { display: flex; align-items: baseline; gap: 6px; }
.name { color: #f2f3f5; font-weight: 500; }
.app-tag { background: #5865f2; color: #fff; font-size: 10px; font-weight: 600; border-radius: 3px; padding: 1px 4px; position: relative; top: -2px; }
.time { color: #949ba4; font-size: 12px; }
.content { white-space: pre-wrap; overflow-wrap: anywhere; }
.md-line { min-height: 1em; }
.md-h1, .md-h2, .md-h3 { margin: 8px 0 4px; color: #f2f3f5; line-height: 1.25; }
.md-h1 { font-size: 24px; } .md-h2 { font-size: 20px; } .md-h3 { font-size: 16px; }
.md-small { font-size: 13px; color: #949ba4; }
.md-quote { border-left: 4px solid #4e5058; padding-left: 12px; }
.mention { background: rgba(88, 101, 242, 0.3); color: #c9cdfb; border-radius: 3px; padding: 0 2px; font-weight: 500; }
.timestamp { background: rgba(78, 80, 88, 0.48); border-radius: 3px; padding: 0 2px; }
.embed { display: flex; gap: 16px; max-width: 520px; background: #2b2d31; border-left: 4px solid #1e1f22; border-radius: 4px; padding: 8px 16px 16px 12px; margin-top: 8px; }
.embed-main { flex: 1; min-width: 0; }
.embed-author { font-size: 14px; font-weight: 600; color: #f2f3f5; margin-top: 8px; }
.embed-title { font-weight: 600; color: #f2f3f5; margin-top: 8px; }
.embed-description { font-size: 14px; margin-top: 8px; white-space: pre-wrap; }
.embed-fields { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin-top: 8px; font-size: 14px; }
.embed-field.wide { grid-column: 1 / -1; }
.embed-field-name { font-weight: 600; color: #f2f3f5; }
.embed-image { display: block; margin-top: 16px; border-radius: 4px; object-fit: cover; }
.embed-thumbnail { margin-top: 8px; border-radius: 4px; object-fit: cover; }
.embed-footer { font-size: 12px; color: #949ba4; margin-top: 8px; }
.attachment { display: block; margin-top: 8px; border-radius: 8px; object-fit: cover; }
.missing-image { display: flex; align-items: center; justify-content: center; background: #1e1f22; color: #949ba4; font-size: 12px; border-radius: 4px; }
.components { display: flex; flex-direction: column; gap: 8px; margin-top: 8px; max-width: 600px; }
.container { background: #2b2d31; border: 1px solid #3f4147; border-radius: 8px; padding: 16px; display: flex; flex-direction: column; gap: 8px; }
.container.accent { border-left: 4px solid var(--accent); }
.action-row { display: flex; flex-wrap: wrap; gap: 8px; }
.button { display: inline-flex; align-items: center; gap: 4px; height: 32px; padding: 2px 16px; border-radius: 8px; font-size: 14px; font-weight: 500; color: #fff; background: #4e5058; }
.button.primary { background: #5865f2; } .button.success { background: #248046; } .button.danger { background: #da373c; }
.button.disabled { opacity: 0.5; }
.select { display: flex; align-items: center; justify-content: space-between; width: 100%; max-width: 400px; height: 40px; padding: 0 12px; background: #1e1f22; border-radius: 8px; font-size: 15px; color: #949ba4; }
.select.disabled { opacity: 0.5; }
.gallery { display: flex; flex-direction: column; gap: 4px; border-radius: 8px; overflow: hidden; }
.gallery-row { display: flex; gap: 4px; }
.gallery-item { flex: 1; min-width: 0; object-fit: cover; display: block; }
.section { display: flex; gap: 16px; align-items: flex-start; }
.section-text { flex: 1; min-width: 0; }
.accessory-thumbnail { border-radius: 8px; object-fit: cover; }
.separator { height: 0; margin: 4px 0; }
.separator.large { margin: 12px 0; }
.separator.divider { border-top: 1px solid #3f4147; }
.file { display: flex; align-items: center; gap: 8px; background: #2b2d31; border: 1px solid #3f4147; border-radius: 8px; padding: 12px; font-size: 14px; }
.unknown { color: #949ba4; font-size: 13px; font-style: italic; }
.ephemeral-note { display: flex; align-items: center; gap: 4px; font-size: 12px; color: #949ba4; margin-top: 4px; }
.ephemeral-note svg { width: 16px; height: 16px; fill: #949ba4; }
`;
