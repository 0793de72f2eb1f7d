// Turns a rendered template into the message that is sent: footer and signature appended, a plain-text part
// for HTML templates (mail clients and spam filters expect one), and headers that mark it as automatic.
import type { MailMessage } from './mail-transport.ts';
import { escapeHtml } from './render.ts';
import type { EmailTemplate } from './template-types.ts';

export interface Sender {
  address: string;
  /** [output_adapter.email] signature: WSO2 shows it as the sender's name; we also sign the body with it. */
  signature: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A readable plain-text version of an HTML body; good enough for a short notification, not a full converter. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(head|style|script|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|blockquote)\s*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function appendHtml(html: string, addition: string): string {
  const end = html.search(/<\/body\s*>/i);
  return end < 0 ? html + addition : html.slice(0, end) + addition + html.slice(end);
}

export function composeMessage(rendered: EmailTemplate, to: string, sender: Sender): MailMessage {
  const signature = sender.signature.trim();
  const headers = {
    // RFC 3834 section 5: an automatic message, so auto-responders do not answer it.
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
  };
  const from = { name: signature, address: sender.address };
  if (rendered.contentType === 'text/html') {
    let html = appendHtml(rendered.body, rendered.footer);
    if (signature) html = appendHtml(html, `<p>-- <br>${escapeHtml(signature)}</p>`);
    return { from, to, subject: rendered.subject, text: htmlToText(html), html, headers };
  }
  const parts = [rendered.body.trimEnd()];
  if (rendered.footer.trim()) parts.push(rendered.footer.trim());
  // "-- " on its own line is the signature separator mail clients recognise (RFC 3676 section 4.3).
  if (signature) parts.push(`-- \n${signature}`);
  return { from, to, subject: rendered.subject, text: `${parts.join('\n\n')}\n`, headers };
}
