CREATE TABLE product (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  price REAL NOT NULL
);
INSERT INTO product (name, price) VALUES ('Keyboard', 49.5), ('Mouse', 19.9);
