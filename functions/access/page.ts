// The access page (GET /): one HTML document for everyone. What a person may request, their requests and what waits
// for their decision are all fetched by the page's browser module (web/access.ts) with their own bearer token, so the
// server side renders only the structure: landmarks, headings, labelled fields and the empty lists the module fills.
import { renderPage, signInSection } from '../pages/layout.js';
import { html, trustedHtml } from '../shared/outputContexts/html.js';

export interface AccessPageOptions {
  /** The CSP nonce of this response; the page's one script carries it. */
  nonce: string;
  /** The identity provider's OIDC authorize URL (implicit flow back to this page); empty when there is none. */
  loginUrl?: string;
}

// Only what the shared layout does not already style: the pickers' listbox, the request cards and field errors.
// Colours keep WCAG AA contrast (4.5:1 for text, 3:1 for borders and focus); sizes are relative; nothing is wider
// than the screen at 320 px.
const ACCESS_STYLE = `
nav.sections ul{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:0 0 1rem;padding:0}
nav.sections a{color:#0550ae;font-weight:600}
.fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,16rem),1fr));gap:.75rem 1rem}
.field{min-width:0}
textarea{display:block;width:100%;min-height:5rem;font:inherit;color:inherit;background:#fff;padding:.4rem .5rem;border:1px solid #6e7781;border-radius:6px;resize:vertical}
textarea:focus-visible{outline-offset:0;border-color:#0550ae}
.combo{position:relative}
.combo [role=listbox]{position:absolute;z-index:2;left:0;right:0;top:100%;max-height:16rem;overflow-y:auto;margin:.15rem 0 0;padding:.25rem 0;list-style:none;background:#fff;border:1px solid #6e7781;border-radius:6px;box-shadow:0 4px 12px rgba(0,0,0,.15)}
.combo [role=option]{padding:.4rem .6rem;cursor:pointer;overflow-wrap:anywhere}
.combo [role=option][aria-selected=true]{background:#0550ae;color:#fff}
.combo [role=option][aria-selected=true] .option-detail{color:#fff}
.option-label{display:block;font-weight:600}
.option-detail{display:block;font-size:.875rem;color:#4b5563}
[aria-invalid=true]{border-color:#a40e26;border-width:2px}
.field-error{color:#a40e26;font-weight:600;margin:.2rem 0 0}
.field-error::before{content:"\\26a0\\fe0f  "}
.preview{border-left:6px solid #0550ae;background:#ddf4ff;border-radius:6px;padding:.5rem .75rem;margin:1rem 0 0;overflow-wrap:anywhere}
.preview p{margin:.2rem 0}
ol.requests,ul.requests{list-style:none;margin:0;padding:0}
/* Positioned, so the visually hidden text in its buttons is clipped with it rather than widening the page. */
li.request{position:relative;border:1px solid #d0d7de;border-radius:6px;padding:.75rem;margin:.75rem 0 0;overflow-wrap:anywhere}
li.request article.loud{border-left:6px solid #a40e26;padding-left:.5rem}
.request-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .75rem}
.request-head h3{margin:0}
.facts{font-size:.9375rem}
.justification{white-space:pre-wrap}
ul.approvals{list-style:none;margin:.25rem 0;padding:0}
ul.approvals li{margin:.25rem 0}
button.danger{background:#a40e26;border-color:#a40e26;color:#fff}
.confirm{border:2px solid #a40e26;border-radius:6px;padding:.5rem .75rem;margin-top:.75rem;background:#fff}
.item-message{font-weight:600;margin:.5rem 0 0}
.item-message:empty{display:none}
.outcomes{border-left:6px solid #116329;background:#dafbe1;border-radius:6px;padding:.5rem .75rem;margin:.5rem 0}
.timeline{margin-top:.75rem}
ol.events{list-style:none;margin:0;padding:0}
ol.events li{border:1px solid #d0d7de;border-radius:6px;padding:.4rem .6rem;margin-top:.4rem}
ol.events li.loud{border-color:#a40e26;border-left-width:6px}
.event-head{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
blockquote{margin:.35rem 0 0;padding:.1rem 0 .1rem .75rem;border-left:3px solid #6e7781;white-space:pre-wrap}
.count{font-weight:600}
.event-detail{margin:.2rem 0 0;font-size:.875rem;color:#374151}
#proton summary{font-weight:600;cursor:pointer;margin-top:1.25rem;padding:.25rem 0}
ul.connections{list-style:none;margin:0;padding:0}
form.connection{position:relative;border:1px solid #d0d7de;border-radius:6px;padding:.75rem;margin-top:.75rem}
form.connection h4{margin:0 0 .25rem}
`;

const field = (
  id: string,
  label: string,
  control: string,
  hint: string,
  afterHint = '',
): string => `<div class="field"><label for="${id}" id="${id}-label">${label}</label>${control}
<p class="hint" id="${id}-hint">${hint}</p>${afterHint}<p class="field-error" id="${id}-error" hidden></p></div>`;

/** A filter-as-you-type picker (web/access/combobox.ts gives it its behaviour). */
const picker = (id: string, label: string, hint: string): string =>
  field(
    id,
    label,
    `<div class="combo"><input id="${id}" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="${id}-listbox" aria-describedby="${id}-hint ${id}-count" autocomplete="off" autocapitalize="off" spellcheck="false">
<ul id="${id}-listbox" role="listbox" aria-labelledby="${id}-label" hidden></ul></div>`,
    hint,
    `<p class="hint" id="${id}-count" aria-live="polite"></p>`,
  );

const requestSection = `<section id="request" class="card" aria-labelledby="request-heading">
<h2 id="request-heading" tabindex="-1">Request access</h2>
<p id="catalog-state" class="muted" role="status">Loading what you may request…</p>
<form id="request-form" novalidate hidden aria-labelledby="request-heading">
<div class="fields">
${picker('account', 'Account', 'Type part of the account’s name or id, then pick it from the list.')}
${picker('permission-set', 'Permission set', 'Type part of its name. Only those you may ask for on the account are listed.')}
${field('duration', 'Duration (minutes)', '<input id="duration" type="number" inputmode="numeric" min="1" step="1" aria-describedby="duration-hint">', 'In minutes. The longest allowed depends on the account and permission set.')}
</div>
${field('justification', 'Justification', '<textarea id="justification" rows="3" aria-describedby="justification-hint justification-count"></textarea>', 'Why you need this access, for your approvers and the audit trail (for example a ticket).', '<p class="hint" id="justification-count"></p>')}
<div id="ask-preview" class="preview" aria-live="polite"></div>
<div class="actions"><button id="request-submit" type="submit">Request access</button></div>
</form>
<div id="proton" hidden>
<details><summary id="proton-summary">Environment account connections</summary>
<p class="muted">AWS Proton reached end of support on 2026-10-07; pending connections can still be accepted with approval.</p>
<ul id="proton-list" class="connections"></ul>
</details>
</div>
</section>`;

const waitingSection = `<section id="waiting" class="card" aria-labelledby="waiting-heading" aria-busy="false">
<h2 id="waiting-heading" tabindex="-1">Waiting for me</h2>
<p id="waiting-count" class="count" role="status"></p>
<div id="waiting-outcomes" class="outcomes" tabindex="-1" hidden></div>
<ul id="waiting-list" class="requests" aria-labelledby="waiting-heading"></ul>
</section>`;

const mineSection = `<section id="mine" class="card" aria-labelledby="mine-heading" aria-busy="false">
<h2 id="mine-heading" tabindex="-1">My requests</h2>
<p id="my-count" class="count"></p>
<ol id="my-list" class="requests" aria-labelledby="mine-heading" tabindex="-1"></ol>
<div class="actions"><button id="my-more" type="button" class="secondary" hidden>Show older requests</button></div>
</section>`;

export const renderAccessPage = ({ nonce, loginUrl }: AccessPageOptions): string =>
  renderPage({
    title: 'Access – Access approvals',
    heading: 'Access requests',
    nonce,
    bundle: 'access',
    extraStyle: ACCESS_STYLE,
    body: html`${signInSection({
      loginUrl,
      intro: 'Ask for AWS access, follow your requests and decide those waiting for you.',
    })}${trustedHtml(`
<div id="access" hidden>
<nav class="sections" aria-label="Sections of this page"><ul>
<li><a href="#request">Request access</a></li><li><a href="#waiting">Waiting for me</a></li><li><a href="#mine">My requests</a></li>
</ul></nav>
${requestSection}
${waitingSection}
${mineSection}
</div>`)}`,
  });
