// The chat window's chunk (window.<hash>.js): the window with its messages, composer and the parts
// features draw inside it, and their CSS. Fetched on the first sign of intent (the pointer or focus on
// the launcher, a page's data-verychat element, opening the chat), so the page views where nobody opens
// the chat never download it.
export { ChatWindow } from './ChatWindow.tsx';
export { default as css } from '../styles/window.css?inline';
