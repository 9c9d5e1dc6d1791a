INSERT INTO todo (title, done) VALUES ('Read the Fusio manifest reference', 1);
INSERT INTO todo (title, done) VALUES ('Run fusio build', 0);
INSERT INTO todo (title, done) VALUES ('Ship dist/ to production', 0);
