'use strict';
// A tiny file-sharing service, written with the mistakes a security linter is meant to catch.
const http = require('http');
const childProcess = require('child_process');
const { readShared } = require('./lib/files');
const { newSessionToken, isValidToken } = require('./lib/tokens');
const { matchesFilter } = require('./lib/search');

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/files') {
    readShared(url.searchParams.get('name'), (err, data) => {
      if (err) return res.writeHead(404).end();
      res.end(data);
    });
  } else if (url.pathname === '/listing') {
    childProcess.exec('ls -l ' + url.searchParams.get('dir'), (err, out) => res.end(out));
  } else if (url.pathname === '/calc') {
    const result = eval(url.searchParams.get('expr'));
    res.end(String(result));
  } else if (url.pathname === '/login') {
    res.end(newSessionToken());
  } else if (url.pathname === '/admin') {
    res.end(isValidToken(req.headers['x-token']) ? 'welcome' : 'denied');
  } else if (url.pathname === '/search') {
    res.end(String(matchesFilter(url.searchParams.get('q'), url.searchParams.get('text'))));
  } else {
    res.writeHead(404).end();
  }
});

server.listen(8080);
