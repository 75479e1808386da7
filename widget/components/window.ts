// The chat window's chunk (window.<hash>.js): the window with its messages and composer, and their
// CSS. Fetched on the first sign of intent (the pointer or focus on the launcher, or opening the
// chat), so the many page views where nobody opens the chat never download it.
export { ChatWindow } from './ChatWindow.tsx';
export { default as css } from '../styles/window.css?inline';
