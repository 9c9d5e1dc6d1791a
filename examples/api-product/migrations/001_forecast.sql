CREATE TABLE forecast (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  city TEXT NOT NULL,
  summary TEXT NOT NULL,
  high REAL NOT NULL,
  low REAL NOT NULL
);
INSERT INTO forecast (city, summary, high, low) VALUES ('Berlin', 'Light rain', 9, 4);
INSERT INTO forecast (city, summary, high, low) VALUES ('Lisbon', 'Sunny', 19, 12);
INSERT INTO forecast (city, summary, high, low) VALUES ('Oslo', 'Snow showers', 1, -4);
