// The page's entry point: styles, then the wiring in app.ts.

import './styles.css';
import { startApp } from './app';

startApp();
