// The console's entry (/support): styles, the store, the controller, the Preact tree. See console/README.md.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import css from './styles.css?inline';
import { Controller } from './controller.ts';
import { initialState, Store } from './store.ts';
import { App } from './components/App.tsx';

const style = document.createElement('style');
style.textContent = css;
document.head.append(style);

const store = new Store(initialState());
const controller = new Controller(store);

function Root() {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((n) => n + 1)), []);
  return <App s={store.state} c={controller} />;
}

render(<Root />, document.getElementById('app')!);
void controller.boot();
