-- The existing application's PostgreSQL tables, as the bridge finds them: terse names, its own conventions.
CREATE TABLE customers (
  cust_id SERIAL PRIMARY KEY,
  cust_name VARCHAR(120) NOT NULL,
  cust_mail VARCHAR(200) NOT NULL UNIQUE,
  vip BOOLEAN NOT NULL DEFAULT FALSE,
  created TIMESTAMP NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  ord_id SERIAL PRIMARY KEY,
  cust_id INTEGER NOT NULL REFERENCES customers (cust_id),
  total NUMERIC(10, 2) NOT NULL,
  placed DATE NOT NULL
);
INSERT INTO customers (cust_name, cust_mail, vip, created) VALUES
  ('Ada Lovelace', 'ada@example.org', TRUE, '2024-01-05 09:00:00'),
  ('Grace Hopper', 'grace@example.org', FALSE, '2024-02-11 14:30:00');
INSERT INTO orders (cust_id, total, placed) VALUES (1, 120.50, '2024-03-01'), (1, 9.99, '2024-03-15'), (2, 42.00, '2024-04-02');
