const express = require('express');
const fs = require('fs');
const app = express();

app.get('/run', (req, res) => {
  const result = eval(req.query.code);
  res.send(String(result));
});

app.get('/file', (req, res) => {
  res.send(fs.readFileSync(req.query.path));
});

app.get('/match', (req, res) => {
  const pattern = new RegExp(req.query.re);
  res.send(pattern.test('x'));
});

app.get('/exec', (req, res) => {
  require('child_process').exec(req.query.cmd);
});

app.listen(3000);
