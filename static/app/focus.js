// Focus in a modal <dialog>: the browser makes the page behind it inert, but Tab and Shift+Tab still leave
// the dialog for the browser's own toolbar. Bound to the dialog's keydown, they go round inside it instead.
export function keepFocusIn(event) {
  if (event.key !== "Tab") return;
  const controls = [...event.currentTarget.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")]
    .filter((el) => el.tabIndex >= 0 && !el.disabled && el.checkVisibility());
  if (!controls.length) return;
  const [first, last] = [controls[0], controls.at(-1)];
  if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}
