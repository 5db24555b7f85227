'use strict';

/** Tells whether `text` matches the client's filter pattern. */
function matchesFilter(pattern, text) {
  return new RegExp(pattern).test(text);
}

module.exports = { matchesFilter };
