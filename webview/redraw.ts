/**
 * Keeps a panel's drawing in step with its window: plots are laid out again after a resize
 * settles, and everything is drawn again when the colour theme changes (VS Code swaps the body's
 * classes, and plots read their colours when built).
 */
export function followWindow(layout: () => void, redraw: () => void): void {
  let resizeTimer: number | undefined;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(layout, 100);
  });
  new MutationObserver(redraw).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
