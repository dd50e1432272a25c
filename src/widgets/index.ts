/**
 * Jupyter widgets from TypeScript (`llm-price-lab/widgets`): controls that a reader moves in
 * JupyterLab, kept in sync with the kernel both ways over the widget protocol 2.1.0, and
 * `interact` to draw a figure or a table again as they move. Where no widget manager runs (the
 * headless runner, nbconvert, GitHub) a widget shows as text and `interact` as the figure for the
 * values it starts with. See docs/widgets.md.
 */
export { checkbox, dropdown, floatSlider, hbox, html, intSlider, logSlider, text, vbox, WidgetValueError, type Control, type Widget } from './controls';
export { interact, type Interactive, type InteractOptions, type Rendered } from './interact';
export { output, type OutputWidget } from './output';
export { liveWidgets, widgetState, WidgetModel, type WidgetChange } from './model';
