// The document's language, and Streamlit's own words (the upload box, the help buttons' accessible names) in it.
// Streamlit draws those in English whatever the app's language; cnnviz passes their translations from its catalog.
// Each element keeps Streamlit's English in a data attribute, so switching back restores it. Text nodes are edited
// in place (never replaced), so React still owns the nodes it made.
(() => {
  window.cnnvizWords = __WORDS__;
  document.documentElement.lang = "__LANG__";
  if (window.cnnvizApplyWords) {  // a later run (another page, the other language): one observer per document
    window.cnnvizApplyWords();
    return;
  }
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  // Streamlit's English for `key` of `element`: what it shows now, unless that is what this script last wrote there.
  const english = (element, key, value) => {
    if (element.dataset[key] === undefined || value !== element.dataset[key + "Wrote"]) element.dataset[key] = value;
    return element.dataset[key];
  };
  const wrote = (element, key, value) => { element.dataset[key + "Wrote"] = value; };
  const setText = (element, text) => {  // React may have split the text in several nodes: the first holds it all
    const nodes = [...element.childNodes].filter(node => node.nodeType === Node.TEXT_NODE);
    nodes.forEach((node, index) => {
      const wanted = index === 0 ? text : "";
      if (node.nodeValue !== wanted) node.nodeValue = wanted;
    });
  };
  const apply = () => {
    const words = window.cnnvizWords;
    const text = (element, translate) => {
      const wanted = translate(english(element, "cnnvizText", element.textContent));
      wrote(element, "cnnvizText", wanted);
      setText(element, wanted);
    };
    const label = (element, translate) => {
      const wanted = translate(english(element, "cnnvizAria", element.getAttribute("aria-label")));
      wrote(element, "cnnvizAria", wanted);
      if (element.getAttribute("aria-label") !== wanted) element.setAttribute("aria-label", wanted);
    };
    document.querySelectorAll("[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p")
      .forEach(p => text(p, original => original === "Upload" ? words.upload : original));
    document.querySelectorAll("[data-testid=stFileUploaderDropzoneInstructions] span").forEach(span => text(span,
      original => original.replace(/^(.+?) per file • (.*)$/, (_, size, types) => fill(words.per_file, {size, types}))));
    // Streamlit's accessible names: the help buttons and the upload box always; in Chinese also the sidebar, a select
    // box's arrow, a number box's steppers, copy and full-screen buttons, a heading's anchor, a material icon.
    const named = original => {
      if (original === null) return original;
      const helped = original === "file upload" ? words.file_upload : original
        .replace(/^Help for (.*)$/, (_, name) => fill(words.help_for, {label: name})).replace(/^Help$/, words.help);
      if (helped !== original || !words.names) return helped;  // English: Streamlit's other words stay
      return words.names[original] ??
        original.replace(/^Fullscreen: (.*)$/, (_, name) => fill(words.fullscreen, {name})).replace(/^[a-z_]+ icon$/,
                                                                                                  words.icon);
    };
    document.querySelectorAll("[aria-label], [data-cnnviz-aria]").forEach(element => label(element, named));
  };
  let queued = false;
  const observer = new MutationObserver(() => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(() => { queued = false; apply(); });
    }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
                                   attributeFilter: ["aria-label"]});
  window.cnnvizApplyWords = apply;
  apply();
})();
