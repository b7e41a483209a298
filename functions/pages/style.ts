// The pages' shared CSS, in a module of its own with no imports, so the approval page (which has no script) can share
// the document base without bundling the signed-in pages' browser code.

/** The document base every page shares, the approval page included. */
export const RESET_STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f6;color:#1b1f24}`;

// Colours are chosen for WCAG AA: every text/background pair is at least 4.5:1, borders and the focus ring
// at least 3:1. Sizes are relative so zoom and text scaling work, and nothing here is wider than 320 px.
export const BASE_STYLE = `${RESET_STYLE}
header.top{background:#1b1f24;color:#fff;padding:.75rem 1.5rem;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem}
header.top h1{font-size:1.25rem;line-height:1.3;margin:0}
.session{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;min-width:0}
.session p{margin:0;overflow-wrap:anywhere}
main{max-width:80rem;margin:1rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1rem}
h2{font-size:1.25rem;line-height:1.3;margin:0 0 .75rem}
h3{font-size:1.0625rem;margin:1.25rem 0 .5rem}
p{margin:.5rem 0}
.muted{color:#4b5563}
.hint{font-size:.875rem;color:#4b5563;margin:.15rem 0 0}
.tag{display:inline-block;font-size:.8125rem;font-weight:600;padding:0 .5rem;border-radius:999px;background:#fff8c5;color:#6b4f00;border:1px solid #9a6700;vertical-align:middle}
.ways{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
.way{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem}
.way h3{margin-top:0}
label{display:block;font-weight:600;margin-bottom:.2rem}
input,select{display:block;width:100%;min-height:2.5rem;font:inherit;color:inherit;background:#fff;padding:.4rem .5rem;border:1px solid #6e7781;border-radius:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem 1rem}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin-top:1rem}
button,a.button{display:inline-flex;align-items:center;justify-content:center;min-height:2.5rem;font:inherit;font-weight:600;padding:.4rem 1rem;border-radius:6px;border:2px solid #0550ae;cursor:pointer;text-decoration:none;background:#0550ae;color:#fff}
button.secondary{background:#fff;color:#0550ae}
header.top button{background:#fff;color:#1b1f24;border-color:#fff}
button.small{min-height:2.25rem;padding:.2rem .6rem;font-size:.9375rem}
button:disabled{cursor:not-allowed;background:#eaeef2;color:#4b5563;border-color:#8c959f}
button:not(:disabled):hover,a.button:hover{filter:brightness(1.15)}
:focus-visible{outline:3px solid #0550ae;outline-offset:2px}
header.top :focus-visible{outline-color:#fff}
input:focus-visible,select:focus-visible{outline-offset:0;border-color:#0550ae}
[tabindex="-1"]:focus{outline:none}
.alert:not(:empty){background:#ffebe9;border:1px solid #a40e26;border-left-width:6px;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;overflow-wrap:anywhere}
.alert p{margin:.25rem 0}
.alert ul{margin:.25rem 0;padding-left:1.25rem}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem}
.toolbar p{margin:0;font-weight:600}
code,pre{font:.875rem/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{overflow-wrap:anywhere}
pre{margin:.35rem 0 0;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;white-space:pre-wrap;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.8125rem;font-weight:600;padding:.05rem .55rem;border-radius:999px;border:1px solid currentColor;white-space:nowrap}
.s-PENDING_APPROVAL{color:#0550ae;background:#ddf4ff}
.s-APPROVED,.s-ACTIVE{color:#0a5d61;background:#d8f6f2}
.s-COMPLETED,.d-approve{color:#116329;background:#dafbe1}
.s-DENIED,.s-REVOKED{color:#374151;background:#eaeef2}
.d-deny{color:#a40e26;background:#ffebe9}
.s-EXPIRED{color:#6b4f00;background:#fff8c5}
.badge.loud{color:#fff;background:#a40e26;border-color:#a40e26;font-size:.875rem;text-transform:uppercase;letter-spacing:.02em}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.4rem 1rem;margin:0}
dt{font-weight:600;color:#374151}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
.notice{border-radius:6px;border-left:6px solid;padding:.75rem 1rem;margin:.75rem 0;overflow-wrap:anywhere}
.notice.bad{background:#ffebe9;border-color:#a40e26}
.notice.info{background:#ddf4ff;border-color:#0550ae}
.notice.bad strong{color:#86061d}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
[hidden]{display:none!important}
@media (max-width:40rem){
header.top{padding:.75rem 1rem}
main{padding:0 .5rem}
.card{padding:.75rem}
dl{grid-template-columns:1fr;gap:0}
dd{margin-bottom:.5rem}
}
@media (forced-colors:active){.badge,button,a.button{border:1px solid}.alert:not(:empty),.notice{border:2px solid}}`;
