import { describe, expect, it } from '@jest/globals';
import { html } from './html.js';

describe('html', () => {
  it('escapes what it interpolates, keeps what is already Html, flattens lists and drops empties', () => {
    const name = '<script>alert("x")</script> & \'co\'';
    const out = html`<p title="${name}">${name}</p>${[html`<b>${1}</b>`, 'x<']}${undefined}${false}`;
    expect(out.text).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</p><b>1</b>x&lt;');
  });
});
