#!/usr/bin/env node
// `npx fedigate [all|gateway|worker]`: the same entry as npm start.
import '../services/main';
