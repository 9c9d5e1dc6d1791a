SELECT id, title, done, created
  FROM todo
 WHERE title LIKE {%q%}
 ORDER BY id DESC
