// Run by tests/dashboard/test_browser_pass.py through WebDriver's execute_script.
// Without an argument: the visible text whose contrast with its background is under WCAG AA (4.5:1, large 3:1).
// With an element: the contrast of its focus outline with the background around it (0 when it has none).
function luminance(color) {
  const [r, g, b] = color.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(element) {
  for (; element; element = element.parentElement) {
    const parts = getComputedStyle(element).backgroundColor.match(/[\d.]+/g);
    if (parts && (parts.length < 4 || Number(parts[3]) > 0.5)) return getComputedStyle(element).backgroundColor;
  }
  return "rgb(255, 255, 255)";
}
function ratio(one, other) {
  const [a, b] = [luminance(one), luminance(other)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
function focusRing(element) {
  const style = getComputedStyle(element);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 1) return 0;
  return ratio(style.outlineColor, background(element.parentElement));
}
if (arguments[0]) return focusRing(arguments[0]);
const bad = [];
for (const element of document.querySelectorAll("body *")) {
  const ownText = Array.from(element.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!ownText || !element.getClientRects().length) continue;
  const style = getComputedStyle(element);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  const found = ratio(style.color, background(element));
  if (found < (large ? 3 : 4.5)) bad.push(`${element.tagName}.${element.className} ${found.toFixed(2)}`);
}
return bad;
