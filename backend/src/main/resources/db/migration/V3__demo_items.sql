-- A fresh database shows a few items, the seed's two tasks among them, unless DEMO_DATA=false.
INSERT INTO items (name, description)
SELECT demo.name, demo.description
FROM (VALUES
          ('Tâche 1: Conteneuriser API', 'Créer le Dockerfile multiétapes pour l API'),
          ('Tâche 2: Conteneuriser Front', 'Créer le Dockerfile multiétapes pour le Front'),
          ('Add CI/CD', 'Test, scan, sign and deploy on every push'),
          ('Scale the API', 'docker compose up --scale api=3 behind Nginx'),
          ('Manage secrets', 'Database passwords as files under /run/secrets, never in the image')
     ) AS demo(name, description)
WHERE '${demo_data}' = 'true';
